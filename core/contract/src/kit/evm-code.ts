/**
 * What EVM code can tell about the functions it dispatches: the constants it pushes. Solidity
 * (legacy and via-IR) compares the call's selector against each function's selector pushed as
 * an immediate — PUSH4, or a shorter PUSH when the selector starts with zero bytes; Vyper's
 * selector tables hold the 4 bytes as data. So a function whose selector appears neither as a
 * PUSH1–PUSH4 immediate nor as 4 bytes anywhere in the code cannot be dispatched by it.
 */

/** The values of every PUSH1–PUSH4 immediate of `code` (a linear sweep that skips push data). */
export function pushedSmallConstants(code: Uint8Array): Set<number> {
  const out = new Set<number>();
  for (let pc = 0; pc < code.length; pc++) {
    const op = code[pc]!;
    if (op >= 0x60 && op <= 0x7f) {
      const n = op - 0x5f;
      if (n <= 4 && pc + n < code.length) {
        let v = 0;
        for (let i = 1; i <= n; i++) v = v * 256 + code[pc + i]!;
        out.add(v);
      }
      pc += n;
    }
  }
  return out;
}

/** Whether `needle` occurs in `code` as a byte sequence. */
export function containsBytes(code: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= code.length; i++) {
    for (let j = 0; j < needle.length; j++) if (code[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** Whether `code` could dispatch a call with `selector` (4 bytes): see the module comment for what is sound here. */
export function mayDispatch(code: Uint8Array, selector: Uint8Array, pushed = pushedSmallConstants(code)): boolean {
  const value = ((selector[0]! << 24) >>> 0) + (selector[1]! << 16) + (selector[2]! << 8) + selector[3]!;
  return pushed.has(value) || containsBytes(code, selector);
}
