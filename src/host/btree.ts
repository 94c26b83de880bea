// sorted-btree is CommonJS (`exports.default = BTree`). Under Node's ESM interop the default
// import is `module.exports`, under a bundler's interop it may be the class itself: accept both.
import BTreeModule from "sorted-btree";

export type BTree<K, V> = BTreeModule.default<K, V>;
type BTreeCtor = typeof BTreeModule.default;

const mod = BTreeModule as unknown as { default?: BTreeCtor };
const Ctor: BTreeCtor = mod.default ?? (BTreeModule as unknown as BTreeCtor);

/** Plain code-unit order: on latin1 binary strings (one char per byte) this is bytewise order. */
export function compareBinary(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A BTree keyed by latin1 binary strings in bytewise order. */
export function binaryTree<V>(): BTree<string, V> {
  return new Ctor<string, V>(undefined, compareBinary, 64);
}
