/** The floor: what importing a module costs at all. */
export async function handler(): Promise<string> {
  return 'ok';
}
