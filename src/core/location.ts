// Where a store is, as the user names it: a SQLite file path or a PostgreSQL URL. Pure text
// functions, shared by the adapter that connects and the messages that must never show a
// password.

export function isPostgresUrl(text: string): boolean {
  return /^postgres(ql)?:\/\//i.test(text);
}

/** The URL less its password (in the userinfo or the query string); a path as it is. */
export function withoutPassword(text: string): string {
  try {
    const url = new URL(text);
    url.password = '';
    url.searchParams.delete('password');
    url.searchParams.delete('sslpassword');
    return url.toString();
  } catch {
    // Not a URL at all: cut anything between "//user:" and "@".
    return text.replace(/(\/\/[^:/@]*):[^@]*@/, '$1@').replace(/password=[^&]*/gi, 'password=');
  }
}
