/**
 * Compile-time equality of two types, for a schema written beside the interface it describes:
 * `type _ = Assert<Equal<z.output<typeof schema>, TheInterface>>` stops compiling as soon as
 * either changes without the other (mutual assignability would let optional members drift).
 */
export type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

export type Assert<T extends true> = T;
