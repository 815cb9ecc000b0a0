/**
 * Reads a Python literal (dicts, lists, tuples, single- or double-quoted strings, numbers, True, False, None) as
 * JSON data. moto's CloudFormation stores the inline policies of the roles it creates as the Python text of the
 * document instead of its JSON; this turns that text back into the document.
 */
export function parsePythonLiteral(text: string): unknown {
  let at = 0;
  const fail = (what: string): never => {
    throw new Error(`not a Python literal: ${what} at character ${at} of ${JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text)}`);
  };
  const skipSpace = () => {
    while (at < text.length && /\s/.test(text[at])) at++;
  };
  const expect = (char: string) => {
    skipSpace();
    if (text[at] !== char) fail(`expected ${char}`);
    at++;
  };
  const items = (close: string, item: () => void) => {
    skipSpace();
    while (text[at] !== close) {
      item();
      skipSpace();
      if (text[at] === ",") at++;
      else if (text[at] !== close) fail(`expected , or ${close}`);
      skipSpace();
    }
    at++;
  };
  const string = (): string => {
    const quote = text[at++];
    let result = "";
    while (text[at] !== quote) {
      if (at >= text.length) fail("unterminated string");
      if (text[at] === "\\") {
        const escaped = text[at + 1];
        const simple: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", "'": "'", '"': '"' };
        if (escaped in simple) {
          result += simple[escaped];
          at += 2;
        } else if (escaped === "u" || escaped === "x") {
          const digits = escaped === "u" ? 4 : 2;
          result += String.fromCharCode(parseInt(text.slice(at + 2, at + 2 + digits), 16));
          at += 2 + digits;
        } else {
          fail("unknown escape");
        }
      } else {
        result += text[at++];
      }
    }
    at++;
    return result;
  };
  const value = (): unknown => {
    skipSpace();
    const char = text[at];
    if (char === "{") {
      at++;
      const object: Record<string, unknown> = {};
      items("}", () => {
        skipSpace();
        const key = value();
        if (typeof key !== "string") fail("a key that is not a string");
        expect(":");
        object[key as string] = value();
      });
      return object;
    }
    if (char === "[" || char === "(") {
      at++;
      const list: unknown[] = [];
      items(char === "[" ? "]" : ")", () => list.push(value()));
      return list;
    }
    if (char === "'" || char === '"') return string();
    const word = /^(True|False|None|-?\d+(\.\d+)?([eE][+-]?\d+)?)/.exec(text.slice(at));
    if (!word) return fail("unexpected text");
    at += word[0].length;
    return word[0] === "True" ? true : word[0] === "False" ? false : word[0] === "None" ? null : Number(word[0]);
  };
  const result = value();
  skipSpace();
  if (at !== text.length) fail("text after the value");
  return result;
}
