@external("host", "input_len") declare function input_len(): i32;
export function hello(): i32 { let a = new Uint8Array(input_len()); a[0] = 1; return a.length; }
export function _reset(): void { __reset(); }
