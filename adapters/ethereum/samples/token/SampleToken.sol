// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title SampleToken (version 1)
/// @notice The kit's sample of an app that brings its own contract: a small token. It runs
/// behind the app's proxy, so its state is set by `initialize` (run once, by the proxy, in the
/// transaction that creates the app) rather than by a constructor.
contract SampleToken {
    // Storage layout: later versions append, never reorder.
    bool private initialized;
    address public owner;
    string public name;
    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;

    event Transfer(address indexed from, address indexed to, uint256 value);

    error AlreadyInitialized();
    error NotTokenOwner(address account);
    error InsufficientBalance(address account, uint256 balance, uint256 needed);

    function initialize(address owner_, string calldata name_) external {
        if (initialized) revert AlreadyInitialized();
        initialized = true;
        owner = owner_;
        name = name_;
    }

    function mint(address to, uint256 amount) external {
        if (msg.sender != owner) revert NotTokenOwner(msg.sender);
        totalSupply += amount;
        balanceOf[to] += amount;
        emit Transfer(address(0), to, amount);
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        uint256 balance = balanceOf[msg.sender];
        if (balance < amount) revert InsufficientBalance(msg.sender, balance, amount);
        balanceOf[msg.sender] = balance - amount;
        balanceOf[to] += amount;
        emit Transfer(msg.sender, to, amount);
        return true;
    }

    function version() external pure virtual returns (uint256) {
        return 1;
    }
}
