// Escaping for the two ways data reaches the HTML report: as text/attribute content, and as JSON inside a
// <script type="application/json"> block. Every string that came from a results file goes through one of these.

/**
 * Escape text for HTML element content and double- or single-quoted attribute values.
 * @example
 * escapeHtml('<b>"x" & y</b>'); // '&lt;b&gt;&quot;x&quot; &amp; y&lt;/b&gt;'
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Serialise a value as JSON that is safe to place inside `<script type="application/json">`.
 * WARNING: `<`, `>` and `&` are written as \u escapes so no `</script>` or `<!--` sequence can end the block early;
 * U+2028/U+2029 are escaped too so the text is also a valid JS literal. `JSON.parse` of the block's text gives the
 * value back unchanged.
 * @example
 * jsonForScript({ name: '</script>' }); // '{"name":"\\u003c/script\\u003e"}'
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Make JavaScript source safe to inline in a `<script>` element: a `</script` (any case) inside it would end the
 * element. In JS source that sequence can only sit in a string, template, regex or comment, where `<\/` means `</`.
 * @example
 * inlineScript('const s = "</script>";'); // 'const s = "<\\/script>";'
 */
export function inlineScript(source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1');
}
