//! Generates the Protobuf wire types of the event log from `proto/registrar/v1/log.proto`.

fn main() -> std::io::Result<()> {
    println!("cargo:rerun-if-changed=proto/registrar/v1/log.proto");
    prost_build::Config::new().compile_protos(&["proto/registrar/v1/log.proto"], &["proto"])
}
