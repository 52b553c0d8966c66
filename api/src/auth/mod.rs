//! Who may do what: API keys (stored as hashes, managed while the server runs) and the private
//! labels of holders that authorised keys may read and write.
//!
//! # Layout
//! - `keys`: [`KeyStore`] and [`ApiKey`]: roles, the tokens a key covers, authentication.
//! - `labels`: [`LabelStore`]: off-chain labels of holders (names, references), kept beside the state.

mod keys;
mod labels;

pub use keys::{ApiKey, KeyStore, Role};
pub use labels::{check_label, LabelChange, LabelStore};
