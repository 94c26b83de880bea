export async function checkCosmWasm(_b: Uint8Array): Promise<string[]> { return []; }
