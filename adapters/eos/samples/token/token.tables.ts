/**
 * The sample token's tables, the same in every version: an upgrade replaces the code, and the
 * rows stay in the app's account. Version 1 already holds `symbol` (left empty) so version 2's
 * migration sets it without a table of another shape.
 */
import { Name, Table, EMPTY_NAME } from 'proton-tsc';

/** The token's owner (the only minter) and symbol: one row, id 0 (scope: the contract). */
@table('config')
export class Config extends Table {
  constructor(
    public id: u64 = 0,
    public owner: Name = EMPTY_NAME,
    public symbol: string = '',
  ) {
    super();
  }

  @primary
  get primary(): u64 {
    return this.id;
  }
}

/** One holder's balance (scope: the contract). */
@table('balances')
export class Balance extends Table {
  constructor(
    public owner: Name = EMPTY_NAME,
    public amount: u64 = 0,
  ) {
    super();
  }

  @primary
  get primary(): u64 {
    return this.owner.N;
  }
}
