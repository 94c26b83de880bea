// The two behaviours behind the flag. The new one has a bug: it fails for about one account
// in five (those whose last hex digit is 0–2), so its canary should be rolled back.
export function oldCheckout(account) {
  return { path: "old", account };
}

export function newCheckout(account) {
  if ("012".includes(account.slice(-1))) throw new Error("new checkout: rounding error in the fee");
  return { path: "new", account };
}
