import { endianness } from "node:os";

/**
 * A fixed-size histogram of positive values with log-linear buckets (the HDR histogram idea): each power
 * of two is split into 128 equal sub-buckets, so any percentile read back is within 0.8 % of the true
 * sample. Its size does not depend on how many values it holds, which keeps a soak's memory flat.
 *
 * The bucket is read straight from the bits of the float (exponent and top mantissa bits): no Math.log
 * on the hot path.
 */
const subBucketBits = 7;
const subBuckets = 1 << subBucketBits;
/** 2^-10 ms (about 1 µs): anything below counts as zero. */
const minExponent = -10;
/** 2^21 ms (about 35 minutes): anything above lands in the overflow bucket. */
const maxExponent = 21;
const exponentCount = maxExponent - minExponent;
const zeroBucket = 0;
const overflowBucket = 1 + exponentCount * subBuckets;
export const bucketCount = overflowBucket + 1;

const minTracked = 2 ** minExponent;
const maxTracked = 2 ** maxExponent;

const floatView = new Float64Array(1);
const wordView = new Uint32Array(floatView.buffer);
const highWord = endianness() === "LE" ? 1 : 0;

export function bucketOf(value: number): number {
  if (!(value >= minTracked)) return zeroBucket;
  if (value >= maxTracked) return overflowBucket;
  floatView[0] = value;
  const high = wordView[highWord]!;
  const exponent = (high >>> 20) - 1023 - minExponent;
  const sub = (high >>> (20 - subBucketBits)) & (subBuckets - 1);
  return 1 + exponent * subBuckets + sub;
}

/** The middle of a bucket: the value reported for every sample in it. */
export function bucketMidpoint(bucket: number): number {
  if (bucket <= zeroBucket) return 0;
  if (bucket >= overflowBucket) return maxTracked;
  const index = bucket - 1;
  const exponent = Math.floor(index / subBuckets) + minExponent;
  const sub = index % subBuckets;
  return 2 ** exponent * (1 + (sub + 0.5) / subBuckets);
}

export class LogHistogram {
  private readonly counts = new Uint32Array(bucketCount);
  private lowestBucket = bucketCount;
  private highestBucket = -1;
  count = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;

  record(value: number): void {
    const bucket = bucketOf(value);
    this.counts[bucket]! += 1;
    if (bucket < this.lowestBucket) this.lowestBucket = bucket;
    if (bucket > this.highestBucket) this.highestBucket = bucket;
    this.count += 1;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  /**
   * Values at the given quantiles (0..1, ascending), nearest-rank, clamped to the exact min and max.
   * One pass over the occupied buckets for all of them.
   */
  quantiles(qs: readonly number[]): number[] {
    const results: number[] = new Array(qs.length).fill(Number.NaN);
    if (this.count === 0) return results;
    let next = 0;
    let cumulative = 0;
    for (let bucket = this.lowestBucket; bucket <= this.highestBucket && next < qs.length; bucket++) {
      cumulative += this.counts[bucket]!;
      while (next < qs.length && cumulative >= Math.max(1, Math.ceil(qs[next]! * this.count))) {
        results[next] = bucket === overflowBucket ? this.max : Math.min(this.max, Math.max(this.min, bucketMidpoint(bucket)));
        next += 1;
      }
    }
    return results;
  }

  /** Empties the histogram so it can be reused; clears only the buckets that were touched. */
  reset(): void {
    if (this.highestBucket >= 0) this.counts.fill(0, this.lowestBucket, this.highestBucket + 1);
    this.lowestBucket = bucketCount;
    this.highestBucket = -1;
    this.count = 0;
    this.sum = 0;
    this.min = Number.POSITIVE_INFINITY;
    this.max = Number.NEGATIVE_INFINITY;
  }
}
