import fc from 'fast-check';
import { CompactRange, consistencyProof, EMPTY_ROOT, Hash, inclusionProof, leafHash, rootOf, verifyConsistency, verifyInclusion } from './merkle';

const h = (hex: string) => Buffer.from(hex, 'hex');

// The Certificate Transparency reference vectors (transparency-dev/merkle testonly/constants.go and
// proof/verify_test.go, the same values as google/certificate-transparency's C++ merkle tests).
const INPUTS = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(h);
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const LEAVES = INPUTS.map((input) => leafHash(input));
// Index is zero-based here (the Go vectors count leaves from 1).
const INCLUSION: [number, number, string[]][] = [
  [
    0,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    5,
    8,
    [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [2, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
  [
    1,
    5,
    [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
];
const CONSISTENCY: [number, number, string[]][] = [
  [
    1,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    6,
    8,
    [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [2, 5, ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b']],
  [
    6,
    7,
    [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
];

const hex = (hashes: Hash[]) => hashes.map((x) => x.toString('hex'));

describe('RFC 9162 / RFC 6962 published test vectors', () => {
  it('gives the reference root for every size 0..8, by recursion and by the compact range', () => {
    expect(EMPTY_ROOT.toString('hex')).toBe(ROOTS[0]);
    const range = new CompactRange();
    for (let n = 0; n <= LEAVES.length; n += 1) {
      expect(rootOf(LEAVES.slice(0, n)).toString('hex')).toBe(ROOTS[n]);
      expect(range.root().toString('hex')).toBe(ROOTS[n]);
      if (n < LEAVES.length) range.append(LEAVES[n]);
    }
  });

  it.each(INCLUSION)('builds and verifies the reference inclusion proof of leaf %i in %i', (index, size, proof) => {
    expect(hex(inclusionProof(LEAVES, index, size))).toEqual(proof);
    expect(verifyInclusion(index, size, LEAVES[index], proof.map(h), h(ROOTS[size]))).toBe(true);
  });

  it.each(CONSISTENCY)('builds and verifies the reference consistency proof %i → %i', (first, second, proof) => {
    expect(hex(consistencyProof(LEAVES, first, second))).toEqual(proof);
    expect(verifyConsistency(first, second, proof.map(h), h(ROOTS[first]), h(ROOTS[second]))).toBe(true);
  });
});

const flipBit = (hashes: Hash[], which: number, bit: number): Hash[] =>
  hashes.map((x, i) => {
    if (i !== which) return x;
    const copy = Buffer.from(x);
    copy[bit >> 3] ^= 1 << (bit & 7);
    return copy;
  });

const stream = fc.array(fc.uint8Array({ maxLength: 24 }), { minLength: 1, maxLength: 70 }).map((items) => items.map((item) => leafHash(Buffer.from(item))));

describe('proofs over random event streams', () => {
  it('every inclusion proof verifies, and any single-bit change of leaf, path or root breaks it', () => {
    fc.assert(
      fc.property(stream, fc.nat(), fc.nat(), fc.nat({ max: 255 }), (leaves, a, b, bit) => {
        const size = 1 + (a % leaves.length);
        const index = b % size;
        const root = rootOf(leaves, 0, size);
        const proof = inclusionProof(leaves, index, size);
        expect(verifyInclusion(index, size, leaves[index], proof, root)).toBe(true);
        expect(verifyInclusion(index, size, flipBit([leaves[index]], 0, bit)[0], proof, root)).toBe(false);
        expect(verifyInclusion(index, size, leaves[index], proof, flipBit([root], 0, bit)[0])).toBe(false);
        if (proof.length > 0) expect(verifyInclusion(index, size, leaves[index], flipBit(proof, bit % proof.length, bit), root)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('every consistency proof verifies, and any single-bit change of a root or the proof breaks it', () => {
    fc.assert(
      fc.property(stream, fc.nat(), fc.nat(), fc.nat({ max: 255 }), (leaves, a, b, bit) => {
        const second = 1 + (a % leaves.length);
        const first = 1 + (b % second);
        const firstRoot = rootOf(leaves, 0, first);
        const secondRoot = rootOf(leaves, 0, second);
        const proof = consistencyProof(leaves, first, second);
        expect(verifyConsistency(first, second, proof, firstRoot, secondRoot)).toBe(true);
        expect(verifyConsistency(first, second, proof, flipBit([firstRoot], 0, bit)[0], secondRoot)).toBe(false);
        expect(verifyConsistency(first, second, proof, firstRoot, flipBit([secondRoot], 0, bit)[0])).toBe(false);
        if (proof.length > 0) expect(verifyConsistency(first, second, flipBit(proof, bit % proof.length, bit), firstRoot, secondRoot)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('the compact range agrees with the recursive root at every size', () => {
    fc.assert(
      fc.property(stream, (leaves) => {
        const range = new CompactRange();
        leaves.forEach((leaf, i) => {
          range.append(leaf);
          expect(range.root().equals(rootOf(leaves, 0, i + 1))).toBe(true);
        });
      }),
      { numRuns: 200 },
    );
  });
});
