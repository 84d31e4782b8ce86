// JSON written byte for byte as Go's encoding/json writes it, so that a message made here and one made by the Go
// implementation from the same values are the same bytes.

/**
 * Returns JSON.stringify(value) with the escapes Go's json.Marshal adds: <, > and & as \u003c, \u003e, \u0026, and
 * the line and paragraph separators U+2028, U+2029 as \u2028, \u2029. Member order is the object's own order.
 */
export function goJSON(value) {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}
