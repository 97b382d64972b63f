// Property tests for the report's escaping: HTML text, JSON in a script block, inlined JavaScript.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { escapeHtml, inlineScript, jsonForScript } from '../../reports/escape.ts';

/** Strings rich in the characters that break out of HTML and script contexts. */
const hostile = fc.string({
  unit: fc.constantFrom('<', '>', '&', '"', "'", '/', 's', 'c', 'r', 'i', 'p', 't', 'S', '!', '-', ' ', '\u2028', '\u2029', 'é', '😀'),
  maxLength: 40,
});

function unescapeHtml(s: string): string {
  return s.replace(/&(lt|gt|quot|#39|amp);/g, (_, name: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[name]!);
}

test('escapeHtml leaves no markup characters and round-trips', () => {
  fc.assert(
    fc.property(fc.oneof(hostile, fc.string()), (s) => {
      const out = escapeHtml(s);
      assert.doesNotMatch(out, /[<>"']/);
      assert.doesNotMatch(out, /&(?!(lt|gt|quot|#39|amp);)/);
      assert.equal(unescapeHtml(out), s);
    }),
  );
});

test('jsonForScript cannot close its script element and parses back to the same value', () => {
  fc.assert(
    fc.property(fc.oneof(fc.jsonValue(), fc.dictionary(hostile, hostile), fc.array(hostile)), (value) => {
      const out = jsonForScript(value);
      assert.doesNotMatch(out, /[<>\u2028\u2029]/);
      assert.deepEqual(JSON.parse(out), JSON.parse(JSON.stringify(value)));
    }),
  );
  assert.equal(jsonForScript({ name: '</script>' }), '{"name":"\\u003c/script\\u003e"}');
});

test('inlineScript removes every </script and keeps string literals meaning the same', () => {
  fc.assert(
    fc.property(hostile, (s) => {
      const source = `return ${JSON.stringify(s)} + '</SCRIPT>' + /<\\/script>/.source;`;
      const out = inlineScript(source);
      assert.doesNotMatch(out, /<\/script/i);
      // eslint-disable-next-line @typescript-eslint/no-implied-eval
      assert.equal(new Function(out)(), new Function(source)());
    }),
  );
});
