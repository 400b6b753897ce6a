/** Who is signed in, as the node says (`GET /v1/users/me`): what the pages show and offer follows from it. */
export interface Me {
  code: string;
  portal: string;
  role: 'operator' | 'admin' | 'member';
  keyMode: 'hosted' | 'user';
  algorithm: string;
  publicKey: string;
  chainAccounts: Record<string, string>;
}
