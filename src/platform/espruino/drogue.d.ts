/* Espruino globals the Drogue entry uses. */
declare function btoa(text: string): string;
