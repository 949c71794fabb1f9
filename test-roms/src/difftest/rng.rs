//! A small deterministic RNG (SplitMix64): the generator must give the same program for
//! the same seed on every host and every version of the dependencies, so it carries its
//! own.

#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        let mut r = Rng(seed ^ 0x6a09_e667_f3bc_c909);
        r.next_u64();
        r
    }

    /// The stream of sequence `index` of a run seeded with `seed`: every sequence can
    /// be regenerated on its own.
    pub fn for_sequence(seed: u64, index: u64) -> Rng {
        Rng::new(
            seed.wrapping_mul(0x9e37_79b9_7f4a_7c15)
                ^ index.wrapping_add(1).wrapping_mul(0xd1b5_4a32_d192_ed03),
        )
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        debug_assert!(lo <= hi);
        lo + (self.next_u64() % ((hi - lo + 1) as u64)) as i64
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * 1.0 < p
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    /// Picks an index by weight.
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut x = (self.next_u64() % total as u64) as u32;
        for (i, &w) in weights.iter().enumerate() {
            if x < w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }

    /// One of the `fixed` edge values, or uniform in `lo..=hi`, equally likely.
    pub fn edge_or(&mut self, fixed: &[i64], lo: i64, hi: i64) -> i64 {
        let i = self.below(fixed.len() + 1);
        if i < fixed.len() {
            fixed[i]
        } else {
            self.range(lo, hi)
        }
    }
}
