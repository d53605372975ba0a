import { test } from 'node:test';
import assert from 'node:assert/strict';
import { numberChoices } from './number-matching.ts';

test('number choices: the code and two distinct 6-digit decoys, the code at each place about a third of the time', () => {
  const places = [0, 0, 0];
  for (let i = 0; i < 3000; i++) {
    const choices = numberChoices('123456');
    assert.equal(choices.length, 3);
    assert.equal(new Set(choices).size, 3);
    for (const c of choices) assert.match(c, /^[0-9]{6}$/);
    places[choices.indexOf('123456')]!++;
  }
  // Each place 1000 ± 150: far outside would mean the shuffle favours one.
  for (const n of places) assert.ok(n > 850 && n < 1150, JSON.stringify(places));
});
