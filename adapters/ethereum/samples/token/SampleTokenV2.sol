// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {SampleToken} from "./SampleToken.sol";

/// @title SampleToken version 2
/// @notice Version 1's storage and methods, plus `burn` and a symbol set by the migration
/// `initializeV2`, which the upgrade runs once (an empty symbol makes it, and so the upgrade, fail).
contract SampleTokenV2 is SampleToken {
    string public symbol;
    bool private migrated;

    event SymbolSet(string symbol);

    error AlreadyMigrated();
    error EmptySymbol();

    function initializeV2(string calldata symbol_) external {
        if (migrated) revert AlreadyMigrated();
        if (bytes(symbol_).length == 0) revert EmptySymbol();
        migrated = true;
        symbol = symbol_;
        emit SymbolSet(symbol_);
    }

    function burn(uint256 amount) external {
        uint256 balance = balanceOf[msg.sender];
        if (balance < amount) revert InsufficientBalance(msg.sender, balance, amount);
        balanceOf[msg.sender] = balance - amount;
        totalSupply -= amount;
        emit Transfer(msg.sender, address(0), amount);
    }

    function version() external pure override returns (uint256) {
        return 2;
    }
}
