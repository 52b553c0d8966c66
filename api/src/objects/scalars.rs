use std::str::FromStr;

use alloy::primitives::{Address, U256};
use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};

use crate::ApiError;

/// An unsigned integer of up to 256 bits as a decimal string, in the token's base units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BigInt(pub U256);

#[Scalar(name = "BigInt")]
impl ScalarType for BigInt {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => U256::from_str_radix(s, 10)
                .map(BigInt)
                .map_err(|_| InputValueError::custom("expected a decimal string")),
            Value::Number(n) => {
                n.as_u64().map(|v| BigInt(U256::from(v))).ok_or_else(|| InputValueError::expected_type(value.clone()))
            }
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_string())
    }
}

/// Parses a 0x-hex address without regard to case.
pub fn parse_address(s: &str) -> Result<Address, ApiError> {
    let hex = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")).unwrap_or(s);
    if hex.len() != 40 {
        return Err(ApiError::BadAddress(s.to_string()));
    }
    Address::from_str(&hex.to_ascii_lowercase()).map_err(|_| ApiError::BadAddress(s.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_parse_in_any_case() {
        let lower = parse_address("0x5fbdb2315678afecb367f032d93f642f64180aa3").unwrap();
        assert_eq!(parse_address("0x5FbDB2315678afecb367f032d93F642f64180aa3").unwrap(), lower);
        assert_eq!(parse_address("0X5FBDB2315678AFECB367F032D93F642F64180AA3").unwrap(), lower);
        assert!(parse_address("0x5fbdb").is_err());
        assert!(parse_address("0xzzbdb2315678afecb367f032d93f642f64180aa3").is_err());
    }
}
