//! The real ERC-3643 suite, as issuers deploy it: T-REX v4 from the npm package
//! `@tokenysolutions/t-rex` (its compiled `artifacts/`, read at run time), deployed through its
//! own `TREXFactory` behind `TREXImplementationAuthority` proxies. Used by the tests and the demo.

#![allow(missing_docs, clippy::too_many_arguments)]

use std::path::{Path, PathBuf};

use alloy::{
    network::TransactionBuilder,
    primitives::{keccak256, Address, Bytes, U256},
    providers::{DynProvider, Provider},
    rpc::types::TransactionRequest,
    sol,
    sol_types::SolValue,
};
use anyhow::{bail, Context};

sol! {
    #[sol(rpc)]
    interface ITREXImplementationAuthority {
        struct Version { uint8 major; uint8 minor; uint8 patch; }
        struct TREXContracts {
            address tokenImplementation;
            address ctrImplementation;
            address irImplementation;
            address irsImplementation;
            address tirImplementation;
            address mcImplementation;
        }
        function addAndUseTREXVersion(Version calldata _version, TREXContracts calldata _trex) external;
    }

    #[sol(rpc)]
    interface ITREXFactory {
        struct TokenDetails {
            address owner;
            string name;
            string symbol;
            uint8 decimals;
            address irs;
            address ONCHAINID;
            address[] irAgents;
            address[] tokenAgents;
            address[] complianceModules;
            bytes[] complianceSettings;
        }
        struct ClaimDetails {
            uint256[] claimTopics;
            address[] issuers;
            uint256[][] issuerClaims;
        }
        function deployTREXSuite(string memory _salt, TokenDetails calldata _tokenDetails, ClaimDetails calldata _claimDetails) external;
        function getToken(string calldata _salt) external view returns (address);
    }

    #[sol(rpc)]
    interface ITREXToken {
        function unpause() external;
        function pause() external;
        function mint(address _to, uint256 _amount) external;
        function burn(address _userAddress, uint256 _amount) external;
        function transfer(address _to, uint256 _amount) external returns (bool);
        function forcedTransfer(address _from, address _to, uint256 _amount) external returns (bool);
        function freezePartialTokens(address _userAddress, uint256 _amount) external;
        function unfreezePartialTokens(address _userAddress, uint256 _amount) external;
        function setAddressFrozen(address _userAddress, bool _freeze) external;
        function recoveryAddress(address _lostWallet, address _newWallet, address _investorOnchainID) external returns (bool);
        function setName(string calldata _name) external;
        function addAgent(address _agent) external;
        function removeAgent(address _agent) external;
        function isAgent(address _agent) external view returns (bool);
        function identityRegistry() external view returns (address);
        function compliance() external view returns (address);
        function balanceOf(address account) external view returns (uint256);
        function totalSupply() external view returns (uint256);
        function name() external view returns (string memory);
        function getFrozenTokens(address _userAddress) external view returns (uint256);
        function isFrozen(address _userAddress) external view returns (bool);
    }

    #[sol(rpc)]
    interface ITREXIdentityRegistry {
        function registerIdentity(address _userAddress, address _identity, uint16 _country) external;
        function updateCountry(address _userAddress, uint16 _country) external;
        function updateIdentity(address _userAddress, address _identity) external;
        function deleteIdentity(address _userAddress) external;
        function identity(address _userAddress) external view returns (address);
        function investorCountry(address _userAddress) external view returns (uint16);
        function identityStorage() external view returns (address);
        function contains(address _userAddress) external view returns (bool);
        function addAgent(address _agent) external;
        function isAgent(address _agent) external view returns (bool);
        function topicsRegistry() external view returns (address);
        function issuersRegistry() external view returns (address);
    }

    #[sol(rpc)]
    interface IClaimTopicsRegistry {
        function addClaimTopic(uint256 _claimTopic) external;
        function removeClaimTopic(uint256 _claimTopic) external;
        function getClaimTopics() external view returns (uint256[] memory);
    }

    #[sol(rpc)]
    interface ITrustedIssuersRegistry {
        function addTrustedIssuer(address _trustedIssuer, uint256[] calldata _claimTopics) external;
        function getTrustedIssuers() external view returns (address[] memory);
        function getTrustedIssuerClaimTopics(address _trustedIssuer) external view returns (uint256[] memory);
    }

    #[sol(rpc)]
    interface IModularCompliance {
        function getModules() external view returns (address[] memory);
    }

    /// T-REX's `AgentManager`: an agent contract that people act through, each with the roles
    /// the manager's owner gave their ONCHAINID.
    #[sol(rpc)]
    interface IAgentManager {
        function addTransferManager(address _agent) external;
        function addWhiteListManager(address _agent) external;
        function callForcedTransfer(address _from, address _to, uint256 _amount, address _onchainID) external;
        function callBatchForcedTransfer(address[] calldata _fromList, address[] calldata _toList, uint256[] calldata _amounts, address _onchainID) external;
        function callUpdateIdentity(address _userAddress, address _identity, address _onchainID) external;
    }

    /// ONCHAINID (ERC-734 keys).
    #[sol(rpc)]
    interface IOnchainIdentity {
        function addKey(bytes32 _key, uint256 _purpose, uint256 _keyType) external returns (bool success);
    }
}

/// The compiled T-REX suite in `node_modules/@tokenysolutions/t-rex/artifacts`.
pub struct Artifacts {
    root: PathBuf,
}

impl Artifacts {
    /// Finds the package from `start` upwards (the repository root holds `node_modules`).
    pub fn find(start: &Path) -> anyhow::Result<Artifacts> {
        for dir in start.ancestors() {
            let root = dir.join("node_modules/@tokenysolutions/t-rex/artifacts");
            if root.is_dir() {
                return Ok(Artifacts { root });
            }
        }
        bail!("node_modules/@tokenysolutions/t-rex not found above {} (run `make setup`)", start.display())
    }

    /// The creation bytecode of `contract` in `source` (a path under `artifacts/`).
    pub fn bytecode(&self, source: &str, contract: &str) -> anyhow::Result<Bytes> {
        let path = self.root.join(source).join(format!("{contract}.json"));
        let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        let json: serde_json::Value = serde_json::from_str(&text)?;
        let code = json["bytecode"].as_str().with_context(|| format!("{} has no bytecode", path.display()))?;
        Ok(alloy::primitives::hex::decode(code)?.into())
    }
}

/// Deploys `code` followed by its ABI-encoded constructor arguments, from `from`.
pub async fn deploy(provider: &DynProvider, from: Address, code: Bytes, args: Vec<u8>) -> anyhow::Result<Address> {
    let mut input = code.to_vec();
    input.extend(args);
    let tx = TransactionRequest::default().from(from).with_deploy_code(input);
    let receipt = provider.send_transaction(tx).await?.get_receipt().await?;
    if !receipt.status() {
        bail!("deployment reverted in {}", receipt.transaction_hash);
    }
    receipt.contract_address.context("no contract address in the receipt")
}

/// A deployed T-REX factory (implementations, implementation authority, factory), owned by
/// `owner`.
pub struct Factory {
    pub address: Address,
    pub owner: Address,
}

impl Factory {
    pub async fn deploy(provider: &DynProvider, artifacts: &Artifacts, owner: Address) -> anyhow::Result<Factory> {
        let implementation = |source: &'static str, name: &'static str| async move {
            let code = artifacts.bytecode(source, name)?;
            deploy(provider, owner, code, Vec::new()).await.with_context(|| format!("deploying {name}"))
        };
        let contracts = ITREXImplementationAuthority::TREXContracts {
            tokenImplementation: implementation("contracts/token/Token.sol", "Token").await?,
            ctrImplementation: implementation(
                "contracts/registry/implementation/ClaimTopicsRegistry.sol",
                "ClaimTopicsRegistry",
            )
            .await?,
            irImplementation: implementation(
                "contracts/registry/implementation/IdentityRegistry.sol",
                "IdentityRegistry",
            )
            .await?,
            irsImplementation: implementation(
                "contracts/registry/implementation/IdentityRegistryStorage.sol",
                "IdentityRegistryStorage",
            )
            .await?,
            tirImplementation: implementation(
                "contracts/registry/implementation/TrustedIssuersRegistry.sol",
                "TrustedIssuersRegistry",
            )
            .await?,
            mcImplementation: implementation("contracts/compliance/modular/ModularCompliance.sol", "ModularCompliance")
                .await?,
        };
        let authority = deploy(
            provider,
            owner,
            artifacts
                .bytecode("contracts/proxy/authority/TREXImplementationAuthority.sol", "TREXImplementationAuthority")?,
            (true, Address::ZERO, Address::ZERO).abi_encode_params(),
        )
        .await
        .context("deploying TREXImplementationAuthority")?;
        let ia = ITREXImplementationAuthority::new(authority, provider.clone());
        let version = ITREXImplementationAuthority::Version { major: 4, minor: 1, patch: 6 };
        send(ia.addAndUseTREXVersion(version, contracts).from(owner), "addAndUseTREXVersion").await?;
        // The identity factory is only called for tokens deployed without an ONCHAINID; suites
        // here always get one, so the owner's address stands in for it.
        let address = deploy(
            provider,
            owner,
            artifacts.bytecode("contracts/factory/TREXFactory.sol", "TREXFactory")?,
            (authority, owner).abi_encode_params(),
        )
        .await
        .context("deploying TREXFactory")?;
        Ok(Factory { address, owner })
    }

    /// Deploys a suite (token, identity registry and storage, trusted issuers and claim topics
    /// registries, modular compliance) with `agent` as agent of the token and of the registry,
    /// and `onchain_id` as the token's identity. Returns the token.
    pub async fn deploy_suite(
        &self,
        provider: &DynProvider,
        salt: &str,
        name: &str,
        symbol: &str,
        decimals: u8,
        agent: Address,
        onchain_id: Address,
    ) -> anyhow::Result<Address> {
        let factory = ITREXFactory::new(self.address, provider.clone());
        let details = ITREXFactory::TokenDetails {
            owner: self.owner,
            name: name.into(),
            symbol: symbol.into(),
            decimals,
            irs: Address::ZERO,
            ONCHAINID: onchain_id,
            irAgents: vec![agent],
            tokenAgents: vec![agent],
            complianceModules: vec![],
            complianceSettings: vec![],
        };
        let claims = ITREXFactory::ClaimDetails { claimTopics: vec![], issuers: vec![], issuerClaims: vec![] };
        send(factory.deployTREXSuite(salt.into(), details, claims).from(self.owner), "deployTREXSuite").await?;
        Ok(factory.getToken(salt.into()).call().await?)
    }
}

/// Deploys an ONCHAINID identity whose management key is `wallet`.
pub async fn deploy_identity(
    provider: &DynProvider,
    artifacts: &Artifacts,
    wallet: Address,
) -> anyhow::Result<Address> {
    let code = artifacts.bytecode("@onchain-id/solidity/contracts/Identity.sol", "Identity")?;
    deploy(provider, wallet, code, (wallet, false).abi_encode_params()).await.context("deploying Identity")
}

/// Deploys T-REX's `AgentManager` for `token`, owned by `owner`.
pub async fn deploy_agent_manager(
    provider: &DynProvider,
    artifacts: &Artifacts,
    token: Address,
    owner: Address,
) -> anyhow::Result<Address> {
    let code = artifacts.bytecode("contracts/roles/permissioning/agent/AgentManager.sol", "AgentManager")?;
    deploy(provider, owner, code, (token,).abi_encode_params()).await.context("deploying AgentManager")
}

/// Makes `new_wallet` a management key of `identity` (what a recovery requires), from its owner.
pub async fn add_management_key(
    provider: &DynProvider,
    identity: Address,
    owner: Address,
    new_wallet: Address,
) -> anyhow::Result<u64> {
    let id = IOnchainIdentity::new(identity, provider.clone());
    let key = keccak256(new_wallet.abi_encode());
    send(id.addKey(key, U256::from(1), U256::from(1)).from(owner), "addKey").await
}

/// Sends a call and waits for a successful receipt; returns its block.
pub async fn send<P, D>(call: alloy::contract::CallBuilder<P, D>, what: &str) -> anyhow::Result<u64>
where
    P: Provider,
    D: alloy::contract::CallDecoder,
{
    let receipt = call
        .send()
        .await
        .with_context(|| format!("sending {what}"))?
        .get_receipt()
        .await
        .with_context(|| format!("receipt of {what}"))?;
    if !receipt.status() {
        bail!("{what} reverted in tx {}", receipt.transaction_hash);
    }
    Ok(receipt.block_number.unwrap_or_default())
}

/// The demo's T-REX suite: a factory, a token deployed through it, six investors with identities
/// and countries, issuance, a transfer, a partial freeze. Returns the factory and the token.
pub async fn demo_suite(
    provider: &DynProvider,
    artifacts: &Artifacts,
    agent: Address,
    investors: &[Address],
) -> anyhow::Result<(Address, Address)> {
    let factory = Factory::deploy(provider, artifacts, agent).await?;
    let token_identity = deploy_identity(provider, artifacts, agent).await?;
    let token = factory
        .deploy_suite(provider, "acme-erc3643", "Acme Real Estate Fund", "AREF", 0, agent, token_identity)
        .await?;
    let t = ITREXToken::new(token, provider.clone());
    let registry = ITREXIdentityRegistry::new(t.identityRegistry().call().await?, provider.clone());
    let countries = [250u16, 276, 840, 826, 380, 724];
    for (i, &wallet) in investors.iter().take(countries.len()).enumerate() {
        let id = deploy_identity(provider, artifacts, wallet).await?;
        send(registry.registerIdentity(wallet, id, countries[i]).from(agent), "registerIdentity").await?;
    }
    send(t.unpause().from(agent), "unpause").await?;
    for (i, &wallet) in investors.iter().take(countries.len()).enumerate() {
        send(t.mint(wallet, U256::from(100 * (i as u64 + 1))).from(agent), "mint").await?;
    }
    send(t.transfer(investors[1], U256::from(25)).from(investors[0]), "transfer").await?;
    send(t.freezePartialTokens(investors[2], U256::from(50)).from(agent), "freeze").await?;
    Ok((factory.address, token))
}
