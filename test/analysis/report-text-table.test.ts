import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTable } from '../../src/present/summary.js';

test('formatTable pads by code points: a surrogate pair is one column, a lone surrogate one too', () => {
  const lines = formatTable(['a', 'b'], [['x\u{1f600}y', '1'], ['wxyz', '22'], ['\udc00z', '3']], ['left', 'right'], '  ');
  assert.deepEqual(lines, [
    '  a      b',
    '  x\u{1f600}y    1',
    '  wxyz  22',
    '  \udc00z     3',
  ]);
});

test('formatTable trims trailing spaces and leaves cells past the headers unpadded', () => {
  assert.deepEqual(formatTable(['n', 'name'], [['1', ''], ['22', 'ab', 'extra']], ['right', 'left']), [
    ' n  name',
    ' 1',
    '22  ab    extra',
  ]);
});
