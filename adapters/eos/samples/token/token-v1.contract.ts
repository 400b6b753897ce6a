/**
 * The kit's sample token on EOS, version 1: the owner set by `init` mints, holders transfer,
 * `balance` answers a read-only call (its return value), and every mint or transfer emits the
 * Transfer event as the inline action `transferlog`.
 */
import { Name, Contract, TableStore, check, requireAuth, isAccount } from 'proton-tsc';
import { Config } from './token.tables';
import { balanceOf, credit, debit, logTransfer, sender } from './token.ledger';

@contract
export class SampleToken extends Contract {
  config: TableStore<Config> = new TableStore<Config>(this.receiver);

  /** Runs once, in the transaction that sets the code (the app's initializer). */
  @action('init')
  init(owner: Name): void {
    check(this.config.get(0) == null, 'the token is initialised already');
    check(isAccount(owner), 'owner ' + owner.toString() + ' is not an account');
    this.config.store(new Config(0, owner, ''), this.receiver);
  }

  @action('mint')
  mint(to: Name, amount: u64): void {
    const config = this.config.requireGet(0, 'the token is not initialised');
    requireAuth(config.owner);
    check(isAccount(to), 'recipient ' + to.toString() + ' is not an account');
    check(amount > 0, 'mint a positive amount');
    credit(this.receiver, to, amount);
    logTransfer(this.receiver, this.receiver, to, amount);
  }

  @action('transfer')
  transfer(to: Name, amount: u64): void {
    const from = sender(this.receiver, this.action);
    check(isAccount(to), 'recipient ' + to.toString() + ' is not an account');
    debit(this.receiver, from, amount);
    credit(this.receiver, to, amount);
    logTransfer(this.receiver, from, to, amount);
  }

  @action('balance')
  balance(owner: Name): u64 {
    return balanceOf(this.receiver, owner);
  }

  /** The Transfer event; only the contract itself sends it. */
  @action('transferlog')
  transferlog(from: Name, to: Name, value: u64): void {
    requireAuth(this.receiver);
  }
}
