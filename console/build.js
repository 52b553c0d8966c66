// Builds the web console into api/assets/console/ (committed; the binary embeds it):
// the app bundled and minified by esbuild, its stylesheet and page, and the proof verifier's
// WebAssembly when it has been built (`make console` builds it first).
// `node console/build.js --check` fails when the committed bundle differs from the sources.
const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');

const root = path.join(__dirname, '..');
const out = path.join(root, 'api', 'assets', 'console');
const check = process.argv.includes('--check');

const bundle = esbuild.buildSync({
  entryPoints: [path.join(__dirname, 'src', 'main.js')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2020',
  legalComments: 'none',
  write: false,
});
const files = {
  'app.js': Buffer.from(bundle.outputFiles[0].contents),
  'app.css': fs.readFileSync(path.join(__dirname, 'src', 'style.css')),
  'index.html': fs.readFileSync(path.join(__dirname, 'index.html')),
};
const wasm = path.join(process.env.CARGO_TARGET_DIR || path.join(root, 'target'), 'wasm32-unknown-unknown', 'release', 'registrar_verifier.wasm');
if (!check && fs.existsSync(wasm)) files['verifier.wasm'] = fs.readFileSync(wasm);

fs.mkdirSync(out, { recursive: true });
let stale = [];
for (const [name, bytes] of Object.entries(files)) {
  const target = path.join(out, name);
  if (check) {
    if (!fs.existsSync(target) || !fs.readFileSync(target).equals(bytes)) stale.push(name);
  } else {
    fs.writeFileSync(target, bytes);
    console.log(`console: ${name} ${bytes.length} bytes`);
  }
}
if (check && stale.length) {
  console.error(`console: api/assets/console/${stale.join(', ')} differ from console/: run \`make console\``);
  process.exit(1);
}
