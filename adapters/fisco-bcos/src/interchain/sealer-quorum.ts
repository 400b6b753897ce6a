/**
 * How many of a group's sealers must sign a block for it to be committed: PBFT with n sealers
 * of weight 1 tolerates f = ⌊(n − 1)/3⌋ faulty ones and commits on n − f signatures, 2f + 1
 * for n = 3f + 1 (bcos-pbft PBFTConfig minRequiredQuorum; BlockValidator::checkSignatureList).
 * A class so the rule has one home (and tests of the suite can see a verifier lose it).
 */
export class SealerQuorum {
  static required(sealers: number): number {
    if (!Number.isInteger(sealers) || sealers < 1) return Number.POSITIVE_INFINITY;
    return sealers - Math.floor((sealers - 1) / 3);
  }
}
