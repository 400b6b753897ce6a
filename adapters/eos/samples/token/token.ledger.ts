/**
 * What both versions do to balances, and how they find who acts. An EOS action has no caller
 * the way an EVM call has msg.sender: the account whose authority the top-level action carries
 * is read from the transaction itself, and that authority is then required.
 */
import {
  Name,
  TableStore,
  check,
  requireAuth,
  readActionData,
  readTransaction,
  transactionSize,
  Transaction,
  InlineAction,
  ActionData,
  PermissionLevel,
  EMPTY_NAME,
} from 'proton-tsc';
import { Balance } from './token.tables';

/** The Transfer event's data: the contract sends it to itself, so it is an action trace of its own. */
@packer
export class TransferLog extends ActionData {
  constructor(
    public from: Name = EMPTY_NAME,
    public to: Name = EMPTY_NAME,
    public value: u64 = 0,
  ) {
    super();
  }
}

function sameBytes(a: u8[], b: u8[]): bool {
  if (a.length != b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] != b[i]) return false;
  return true;
}

/** The first authorizer of the top-level action `name` of `receiver` carrying this action's data, its authority required. */
export function sender(receiver: Name, name: Name): Name {
  const buffer = new Array<u8>(<i32>transactionSize());
  readTransaction(buffer);
  const tx = new Transaction();
  tx.unpack(buffer);
  const data = readActionData();
  for (let i = 0; i < tx.actions.length; i++) {
    const a = tx.actions[i];
    if (a.account == receiver && a.name == name && a.authorization.length > 0 && sameBytes(a.data, data)) {
      requireAuth(a.authorization[0].actor);
      return a.authorization[0].actor;
    }
  }
  check(false, 'the action must be sent by the account that acts, in its own authority');
  return EMPTY_NAME;
}

export function credit(contract: Name, to: Name, amount: u64): void {
  const balances = new TableStore<Balance>(contract);
  const row = balances.get(to.N);
  if (row == null) {
    balances.store(new Balance(to, amount), contract);
  } else {
    check(row.amount + amount >= row.amount, 'balance overflow');
    row.amount += amount;
    balances.update(row, contract);
  }
}

export function debit(contract: Name, from: Name, amount: u64): void {
  const balances = new TableStore<Balance>(contract);
  const row = balances.get(from.N);
  check(row != null && row.amount >= amount, 'overdrawn balance');
  row!.amount -= amount;
  balances.update(row!, contract);
}

export function balanceOf(contract: Name, owner: Name): u64 {
  const row = new TableStore<Balance>(contract).get(owner.N);
  return row == null ? 0 : row.amount;
}

/** Emits the Transfer event: the inline action `transferlog` to the contract itself. */
export function logTransfer(contract: Name, from: Name, to: Name, value: u64): void {
  new InlineAction<TransferLog>('transferlog').act(contract, new PermissionLevel(contract)).send(new TransferLog(from, to, value));
}
