/**
 * Okabe–Ito: eight colours told apart with every common colour-vision deficiency. Series also
 * differ by dash and marker where several share a chart; yellow last (weak on white).
 */
export const PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442"] as const;
export const DASHES = ["", "6 3", "2 2", "8 3 2 3", "4 4", "1 3", "10 4", "3 6"] as const;
export const colour = (i: number) => PALETTE[i % PALETTE.length]!;
export const dash = (i: number) => DASHES[Math.floor(i / PALETTE.length + i) % DASHES.length]!;
