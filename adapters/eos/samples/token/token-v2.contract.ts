/**
 * The kit's sample token on EOS, version 2: version 1's actions on the same tables and rows,
 * plus `burn`, and `migrate`, run in the upgrade's own transaction, which sets the symbol and
 * refuses an empty one (so a failing upgrade is easy to make: the whole transaction, code
 * included, is then refused).
 */
import { Name, Contract, TableStore, check, requireAuth, isAccount } from 'proton-tsc';
import { Config } from './token.tables';
import { balanceOf, credit, debit, logTransfer, sender } from './token.ledger';

@contract
export class SampleTokenV2 extends Contract {
  config: TableStore<Config> = new TableStore<Config>(this.receiver);

  @action('init')
  init(owner: Name): void {
    check(this.config.get(0) == null, 'the token is initialised already');
    check(isAccount(owner), 'owner ' + owner.toString() + ' is not an account');
    this.config.store(new Config(0, owner, ''), this.receiver);
  }

  /** The upgrade's migration: the owner names the symbol, which version 1 left empty. */
  @action('migrate')
  migrate(symbol: string): void {
    const config = this.config.requireGet(0, 'the token is not initialised');
    requireAuth(config.owner);
    check(symbol.length > 0, 'the symbol must not be empty');
    config.symbol = symbol;
    this.config.update(config, this.receiver);
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

  /** New in version 2: the sender destroys some of its own tokens. */
  @action('burn')
  burn(amount: u64): void {
    const from = sender(this.receiver, this.action);
    check(amount > 0, 'burn a positive amount');
    debit(this.receiver, from, amount);
  }

  @action('balance')
  balance(owner: Name): u64 {
    return balanceOf(this.receiver, owner);
  }

  @action('transferlog')
  transferlog(from: Name, to: Name, value: u64): void {
    requireAuth(this.receiver);
  }
}
