// Sign never by hue alone where there is no room for a mark: the digits' weight images shade
// negative and positive weights apart in lightness too (WCAG's relative luminance).

import { expect, test } from 'vitest';
import { signShade } from '../../src/ui/digits.js';

function luminance(css: string): number {
  const [r, g, b] = css.match(/\d+/g)!.map(Number).map((c) => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

const contrast = (a: string, b: string): number => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
};

test('the strongest negative and positive weights are at least 3:1 apart; 0 is white', () => {
  expect(contrast(signShade(-1), signShade(1))).toBeGreaterThanOrEqual(3);
  expect(contrast(signShade(-0.5), signShade(0.5))).toBeGreaterThanOrEqual(1.5);
  expect(signShade(0)).toBe('rgb(255, 255, 255)');
});
