/**
 * Size limits of the source (scripts/check-function-length.ts): no function outside the tests over
 * 100 lines, no file in components/ over 350 lines.
 */
import * as path from 'path';
import {
  MAX_FUNCTION_LINES,
  describeOffence,
  functionLengths,
  lengthOffences,
} from '../scripts/check-function-length';

describe('source size limits', () => {
  it('no function outside the tests over 100 lines, no components/ file over 350 lines', () => {
    expect(lengthOffences(path.resolve(__dirname, '..')).map(describeOffence)).toEqual([]);
  });

  it('measures functions of every kind from first token to closing brace, named as a reader looks for them', () => {
    const body = (n: number) => Array.from({ length: n - 2 }, (_, i) => `  x += ${i};`).join('\n');
    const src = [
      `function atLimit() {\n${body(MAX_FUNCTION_LINES)}\n}`,
      `export class C {\n  constructor() {\n${body(MAX_FUNCTION_LINES + 1)}\n  }\n  m(): void {}\n}`,
      `const arrow = () => {\n${body(3)}\n};`,
      `function outer() {\n  return [1].map((v) => {\n    return v;\n  });\n}`,
    ].join('\n');
    expect(functionLengths('sample.ts', src)).toEqual([
      { name: 'atLimit', line: 1, lines: MAX_FUNCTION_LINES },
      { name: 'C.constructor', line: MAX_FUNCTION_LINES + 2, lines: MAX_FUNCTION_LINES + 1 },
      { name: 'C.m', line: 2 * MAX_FUNCTION_LINES + 3, lines: 1 },
      { name: 'arrow', line: 2 * MAX_FUNCTION_LINES + 5, lines: 3 },
      { name: 'outer', line: 2 * MAX_FUNCTION_LINES + 8, lines: 5 },
      { name: 'outer><anonymous>', line: 2 * MAX_FUNCTION_LINES + 9, lines: 3 },
    ]);
  });
});
