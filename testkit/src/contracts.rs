//! Bindings of the contracts in `contracts/`, generated from the committed artifacts.

#![allow(missing_docs, clippy::too_many_arguments)]

use alloy::sol;

sol!(
    #[sol(rpc)]
    #[derive(Debug)]
    DemoSecurityToken,
    "../contracts/artifacts/DemoSecurityToken.json"
);

sol!(
    #[sol(rpc)]
    #[derive(Debug)]
    TransferEmitter,
    "../contracts/artifacts/TransferEmitter.json"
);

sol!(
    #[sol(rpc)]
    #[derive(Debug)]
    DisclosureAnchor,
    "../contracts/artifacts/DisclosureAnchor.json"
);

sol!(
    #[sol(rpc)]
    #[derive(Debug)]
    DemoPartitionedToken,
    "../contracts/artifacts/DemoPartitionedToken.json"
);

sol!(
    #[sol(rpc)]
    #[derive(Debug)]
    DemoCollateralPool,
    "../contracts/artifacts/DemoCollateralPool.json"
);

sol!(
    #[sol(rpc)]
    #[derive(Debug)]
    DemoEquityToken,
    "../contracts/artifacts/DemoEquityToken.json"
);

sol!(
    #[sol(rpc)]
    #[derive(Debug)]
    DemoBond,
    "../contracts/artifacts/DemoBond.json"
);
