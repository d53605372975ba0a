import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mappedAlertCategory, parseAlertCategoryMap } from './alert-settings.ts';

const MAP = { Met: 'weather', Transport: 'traffic' } as const;
const OWN = ['weather', 'traffic'];

test('the first <category> of the first <info> that the map names gives the category', () => {
  assert.equal(mappedAlertCategory([{ categories: ['Transport', 'Met'] }], MAP, OWN), 'traffic');
  assert.equal(mappedAlertCategory([{ categories: ['Other', 'Met'] }], MAP, OWN), 'weather');
  // The second <info> is not looked at, even when the first names nothing in the map.
  assert.equal(mappedAlertCategory([{ categories: ['Geo'] }, { categories: ['Met'] }], MAP, OWN), 'civic');
  assert.equal(mappedAlertCategory([], MAP, OWN), 'civic');
});

test('a mapped category the app no longer declares is civic; a map as stored keeps CAP names only', () => {
  assert.equal(mappedAlertCategory([{ categories: ['Transport'] }], MAP, ['weather']), 'civic');
  assert.equal(mappedAlertCategory([{ categories: ['Met'] }], { Met: 'civic' }, []), 'civic');
  assert.deepEqual(parseAlertCategoryMap('{"Met":"weather","Weather":"x","Fire":3}'), { Met: 'weather' });
  assert.deepEqual(parseAlertCategoryMap(null), {});
});
