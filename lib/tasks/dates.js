// dates.js: the date-normalisation task (TensorFlow.js's date-conversion-attention example):
// a date between 1950-01-01 and 2050-12-31 written in one of 20 formats -> ISO "YYYY-MM-DD".

import { checkOptions, drawSplits, sizeOptions } from './common.js';
import { fail } from '../errors.js';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
  'October', 'November', 'December'];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const pad2 = (n) => String(n).padStart(2, '0');
const abbr = (m) => MONTHS[m - 1].slice(0, 3);
const ordinal = (d) => {
  const tens = d % 100;
  if (tens >= 11 && tens <= 13) return `${d}th`;
  return `${d}${['th', 'st', 'nd', 'rd'][d % 10] ?? 'th'}`;
};

/**
 * The formats, each (year, month 1-12, day, weekday 0-6) -> string. Slashes always mean
 * month/day (US order) or year/month/day; day-first orders use '-', '.' or spaces, so no source
 * string is ambiguous.
 */
export const DATE_FORMATS = Object.freeze([
  (y, m, d) => `${pad2(d)}${abbr(m).toUpperCase()}${y}`, //          18JAN2019
  (y, m, d) => `${pad2(m)}/${pad2(d)}/${y}`, //                        01/18/2019
  (y, m, d) => `${m}/${d}/${y}`, //                                    1/18/2019
  (y, m, d) => `${pad2(d)}-${pad2(m)}-${y}`, //                        18-01-2019
  (y, m, d) => `${MONTHS[m - 1]} ${d}, ${y}`, //                       January 18, 2019
  (y, m, d) => `${abbr(m).toUpperCase()} ${d}, ${y}`, //               JAN 18, 2019
  (y, m, d) => `${pad2(d)}.${pad2(m)}.${y}`, //                        18.01.2019
  (y, m, d) => `${y}/${pad2(m)}/${pad2(d)}`, //                        2019/01/18
  (y, m, d) => `${d} ${MONTHS[m - 1]} ${y}`, //                        18 January 2019
  (y, m, d) => `${abbr(m)} ${d} ${y}`, //                              Jan 18 2019
  (y, m, d) => `${y}${pad2(m)}${pad2(d)}`, //                          20190118
  (y, m, d, w) => `${WEEKDAYS[w]}, ${MONTHS[m - 1]} ${d}, ${y}`, //    Friday, January 18, 2019
  (y, m, d) => `${d} ${abbr(m)} ${y}`, //                              18 Jan 2019
  (y, m, d) => `${y}.${pad2(m)}.${pad2(d)}`, //                        2019.01.18
  (y, m, d) => `${MONTHS[m - 1]} ${ordinal(d)}, ${y}`, //              January 18th, 2019
  (y, m, d) => `${pad2(d)}-${abbr(m)}-${y}`, //                        18-Jan-2019
  (y, m, d) => `${abbr(m).toLowerCase()} ${d}, ${y}`, //               jan 18, 2019
  (y, m, d) => `the ${ordinal(d)} of ${MONTHS[m - 1]} ${y}`, //        the 18th of January 2019
  (y, m, d, w) => `${WEEKDAYS[w].slice(0, 3)} ${d} ${abbr(m)} ${y}`, // Fri 18 Jan 2019
  (y, m, d) => `${d}.${m}.${y}`, //                                    18.1.2019
]);

const FIRST_DAY = Date.UTC(1950, 0, 1) / 86400000;
const LAST_DAY = Date.UTC(2050, 11, 31) / 86400000;

/** Formats one date (a JS Date in UTC) with format number `format` (0-based). */
export function formatDate(date, format) {
  const f = DATE_FORMATS[format];
  if (!f) throw fail(`date format ${format} does not exist; there are ${DATE_FORMATS.length}`);
  return f(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCDay());
}

/** ISO 8601 date "YYYY-MM-DD" of a JS Date in UTC. */
export function isoDate(date) {
  return date.toISOString().slice(0, 10);
}

/**
 * Dates in many human formats -> ISO. Character-level on both sides.
 * @param {{seed?: number, trainSize?: number, testSize?: number}} [options]
 */
export function dates(options = {}) {
  checkOptions(options, ['seed', 'trainSize', 'testSize'], 'dates');
  const sizes = sizeOptions(options, { trainSize: 10000, testSize: 1000 });
  const { train, test } = drawSplits(sizes, (rng) => {
    const date = new Date(rng.range(FIRST_DAY, LAST_DAY) * 86400000);
    return [formatDate(date, rng.int(DATE_FORMATS.length)), isoDate(date)];
  }, 'dates');
  return {
    name: 'dates',
    description: `Dates from 1950 to 2050 in ${DATE_FORMATS.length} formats ("18JAN2019", "01/18/2019", "January 18, 2019", ...) -> ISO "2019-01-18".`,
    tokenizer: 'char',
    options: sizes,
    train,
    test,
  };
}
