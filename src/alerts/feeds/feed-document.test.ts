import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maskOpaque } from './feed-document.ts';

test('comments, CDATA sections and processing instructions are hidden behind spaces of their length; the rest is kept', () => {
  const xml = '<?xml version="1.0"?><feed><!-- <alert> --><entry><![CDATA[<alert>]]><alert>x</alert><?pi <alert>?></entry></feed>';
  const masked = maskOpaque(xml);
  assert.equal(masked.length, xml.length);
  assert.equal(masked.split('<alert>').length - 1, 1, 'only the real element is left to see');
  assert.equal(masked.indexOf('<alert>x</alert>'), xml.indexOf('<alert>x</alert>'));
  assert.match(masked, /^ {21}<feed> {16}<entry> {19}<alert>x<\/alert> {14}<\/entry><\/feed>$/);
});

test('an opener with no closer hides the rest of the document', () => {
  assert.equal(maskOpaque('<a><!-- <alert>'), '<a>            ');
});

test('a document of a quarter million unclosed comment openers is masked in one pass', () => {
  // A lazy regular expression rescans to the end from each opener: about 10^11 steps here,
  // minutes of a blocked event loop. One pass reaches the first opener and stops.
  const hostile = `<?x ${'<!--'.repeat(230_000)}?><rss/>`;
  const masked = maskOpaque(hostile);
  assert.equal(masked.length, hostile.length);
  assert.equal(masked.trim(), '<rss/>');
});
