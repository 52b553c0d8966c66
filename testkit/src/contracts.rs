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

sol!(
    #[sol(rpc)]
    #[derive(Debug)]
    DemoDSToken,
    "../contracts/artifacts/DemoDSToken.json"
);

sol!(
    #[sol(rpc)]
    #[derive(Debug)]
    DemoDSRegistryService,
    "../contracts/artifacts/DemoDSRegistryService.json"
);

sol!(
    #[sol(rpc)]
    #[derive(Debug)]
    DemoDSLockManager,
    "../contracts/artifacts/DemoDSLockManager.json"
);

sol!(
    #[sol(rpc)]
    #[derive(Debug)]
    DemoDSTrustService,
    "../contracts/artifacts/DemoDSTrustService.json"
);

sol!(
    #[sol(rpc)]
    #[derive(Debug)]
    DemoDSComplianceConfiguration,
    "../contracts/artifacts/DemoDSComplianceConfiguration.json"
);

sol!(
    #[sol(rpc)]
    #[derive(Debug)]
    DemoST20Token,
    "../contracts/artifacts/DemoST20Token.json"
);

sol!(
    #[sol(rpc)]
    #[derive(Debug)]
    DemoGeneralTransferManager,
    "../contracts/artifacts/DemoGeneralTransferManager.json"
);
