/**
 * TARS, the binary encoding FISCO BCOS 3.x puts transactions, receipts and blocks in
 * (`bcos-tars-protocol/tars/*.tars`). Every value starts with a head byte `tag << 4 | type`
 * (tags ≥ 15 take a second byte). These are the types a 3.x transaction uses.
 */
export const TarsType = {
  INT8: 0,
  INT16: 1,
  INT32: 2,
  INT64: 3,
  FLOAT: 4,
  DOUBLE: 5,
  STRING1: 6,
  STRING4: 7,
  MAP: 8,
  LIST: 9,
  STRUCT_BEGIN: 10,
  STRUCT_END: 11,
  ZERO: 12,
  SIMPLE_LIST: 13,
} as const;
export type TarsTypeCode = (typeof TarsType)[keyof typeof TarsType];

/** The largest TARS string or byte list a node accepts in one field (TARS lengths are int32). */
export const TARS_MAX_LENGTH = 0x7fffffff;
