//! `registrar merkle root` and `registrar verify inclusion|consistency` on the RFC 6962 test tree:
//! the raw forms other transparency logs exchange, with their exit codes.

use std::{
    io::Write,
    process::{Command, Stdio},
};

const BIN: &str = env!("CARGO_BIN_EXE_registrar");
const LEAVES: &str = "\n00\n10\n2021\n3031\n40414243\n5051525354555657\n606162636465666768696a6b6c6d6e6f\n";

fn run(args: &[&str], stdin: &str) -> (i32, String) {
    let mut child = Command::new(BIN).args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (out.status.code().unwrap(), String::from_utf8(out.stdout).unwrap())
}

fn field<'a>(out: &'a str, name: &str) -> &'a str {
    out.lines().find_map(|l| l.strip_prefix(name)).unwrap_or_else(|| panic!("no {name} in {out}")).trim()
}

#[test]
fn root_proofs_and_verification_round_trip() {
    // Leaf data, an empty line being the empty leaf: the RFC 6962 test tree.
    let (code, out) = run(&["merkle", "root", "--hash", "sha256"], LEAVES);
    assert_eq!(code, 0, "{out}");
    assert_eq!(field(&out, "size "), "8");
    assert_eq!(field(&out, "root "), "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
    assert_eq!(run(&["merkle", "root", "--hash", "sha256"], "0g\n").0, 2, "bad hex");

    // The same tree from its leaf hashes.
    let leaf_hashes = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
        "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
    ]
    .join("\n");
    let (code, out) = run(
        &["merkle", "root", "--hash", "sha256", "--leaf-hashes", "--proof", "5", "--consistency", "6"],
        &leaf_hashes,
    );
    assert_eq!(code, 0, "{out}");
    assert_eq!(field(&out, "size "), "8");
    let root = field(&out, "root ");
    assert_eq!(root, "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
    let inclusion = field(&out, "inclusion 5 ");
    assert_eq!(
        inclusion,
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b,\
         ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0,\
         d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"
    );
    let consistency = field(&out, "consistency 6 ").to_string();

    let leaf5 = "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658";
    let verify = |index: &str, path: &str| {
        run(
            &[
                "verify",
                "inclusion",
                "--hash",
                "sha256",
                "--leaf-hash",
                leaf5,
                "--index",
                index,
                "--size",
                "8",
                "--root",
                root,
                "--path",
                path,
            ],
            "",
        )
        .0
    };
    assert_eq!(verify("5", inclusion), 0);
    assert_eq!(verify("4", inclusion), 1);
    assert_eq!(verify("5", &inclusion[..inclusion.rfind(',').unwrap()]), 1, "a short path");
    assert_eq!(verify("5", "zz"), 2);

    let root6 = "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef";
    let consistent = |root1: &str| {
        run(
            &[
                "verify",
                "consistency",
                "--hash",
                "sha256",
                "--size1",
                "6",
                "--size2",
                "8",
                "--root1",
                root1,
                "--root2",
                root,
                "--path",
                &consistency,
            ],
            "",
        )
        .0
    };
    assert_eq!(consistent(root6), 0);
    assert_eq!(consistent(root), 1);
    assert_eq!(
        run(
            &[
                "verify",
                "consistency",
                "--hash",
                "md5",
                "--size1",
                "1",
                "--size2",
                "2",
                "--root1",
                root,
                "--root2",
                root
            ],
            ""
        )
        .0,
        2
    );
}
