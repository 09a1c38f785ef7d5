// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.28;

/// @title LedgerMirror
/// @notice Records batch pins on chain. The chain's order of BatchPin events
/// (block number, transaction index, log index, then the order of `contexts`)
/// is the order every ledgermirror node agrees on (PROTOCOL.md, "On-chain
/// event (Ethereum family)").
/// @dev Named after the project, not the event: a contract and an event of the
/// same name make solc warn that one shadows the other.
/// The contract keeps no state: the log is the whole record, so a pin
/// costs only the event's gas and anyone may call it. Nodes decide which pins
/// count by checking `author` against the key registered for the batch's org.
contract LedgerMirror {
    /// @param author the transaction's sender, checked off chain against the
    /// org's registered key
    /// @param timestamp the block's timestamp
    /// @param action always "pin" (see pinBatch)
    /// @param uuids transaction id (16 bytes) then batch id (16 bytes)
    /// @param batchHash the batch's hash
    /// @param payloadRef shared-storage reference of a broadcast batch, empty
    /// for a private one
    /// @param contexts the batch's contexts, in pin order
    event BatchPin(
        address author,
        uint256 timestamp,
        string action,
        bytes32 uuids,
        bytes32 batchHash,
        string payloadRef,
        bytes32[] contexts
    );

    /// @notice Pins a batch by emitting BatchPin with the sender as author.
    /// @dev `action` is a constant "pin" because pinning is the only thing this
    /// contract does today. The field stays in the event so that a later kind
    /// of on-chain record (a network upgrade marker, say) can share the same
    /// event signature, which listeners filter on by topic, instead of needing
    /// a new event and a listener change on every node.
    function pinBatch(
        bytes32 uuids,
        bytes32 batchHash,
        string calldata payloadRef,
        bytes32[] calldata contexts
    ) external {
        emit BatchPin(msg.sender, block.timestamp, "pin", uuids, batchHash, payloadRef, contexts);
    }
}
