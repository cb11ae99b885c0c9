// Numbers printed the way the seed's Python prints them, so a log can be compared line by line
// with numpy's: str(float) is the shortest decimal that reads back as the same double, in fixed
// notation for exponents from -4 to 15 and as 1.5e-05 outside. GPU values are float32, so they
// are printed as the shortest decimal that reads back as the same float32.

function shortestDigits(x: number, float32: boolean): { digits: string; exponent: number } {
  let text = x.toExponential();
  if (float32) {
    for (let p = 1; p <= 9; p++) {
      const candidate = x.toExponential(p - 1);
      if (Math.fround(Number(candidate)) === x) {
        text = candidate;
        break;
      }
    }
  }
  const [mantissa, exp] = text.split('e') as [string, string];
  const digits = mantissa.replace('-', '').replace('.', '').replace(/0+$/, '') || '0';
  return { digits, exponent: Number(exp) };
}

/** Python's repr of a float: 0.6342311598444467, 1.5055622665134859e-05, 2.0, inf. */
export function pyFloat(x: number, float32 = false): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const { digits, exponent } = shortestDigits(Math.abs(x), float32);
  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
    const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
    const fraction = digits.slice(exponent + 1) || '0';
    return `${sign}${whole}.${fraction}`;
  }
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const e = Math.abs(exponent).toString().padStart(2, '0');
  return `${sign}${mantissa}e${exponent < 0 ? '-' : '+'}${e}`;
}

/** The seed's log line: print("Error:" + str(layer_2_error)). */
export function errorLine(error: number, float32: boolean): string {
  return `Error:${pyFloat(error, float32)}`;
}
