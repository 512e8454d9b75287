/**
 * A reason is an identifier: a letter or `_`, then letters, digits, `_`, `.` or `-`, ending
 * on a letter, digit or `_` (`InsufficientFunds`, `order.cancelled`, `out-of-stock`). A
 * message is text for people and nearly always has a space in it.
 */
export function looksLikeReason(text: unknown): text is string {
  return typeof text === 'string' && /^[A-Za-z_](?:[\w.-]*\w)?$/.test(text);
}
