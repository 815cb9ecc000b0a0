import { describe, expect, it } from "vitest";
import { policyFromPython } from "../../src/local/bootstrap";
import { parsePythonLiteral } from "../../src/local/python-literal";

// An inline policy as moto 5's CloudFormation hands it back (GetRolePolicy), two AWS::NoValue statements included.
const MOTO_POLICY =
  "{'Version': '2012-10-17', 'Statement': [{'Sid': 'StateBucketList', 'Effect': 'Allow', 'Action': ['s3:ListBucket'], " +
  "'Resource': 'arn:aws:s3:::coalition-terraform-state-111111111111'}, {'Sid': 'StateLockTable', 'Effect': 'Allow', " +
  "'Action': ['dynamodb:GetItem'], 'Resource': 'arn:aws:dynamodb:us-east-1:111111111111:table/coalition-terraform-locks'}, None, None]}";

describe("parsePythonLiteral", () => {
  it("reads moto's text of a policy as the document, dropping the statements AWS::NoValue left as None", () => {
    expect(policyFromPython(MOTO_POLICY)).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Sid: "StateBucketList", Effect: "Allow", Action: ["s3:ListBucket"], Resource: "arn:aws:s3:::coalition-terraform-state-111111111111" },
        { Sid: "StateLockTable", Effect: "Allow", Action: ["dynamodb:GetItem"], Resource: "arn:aws:dynamodb:us-east-1:111111111111:table/coalition-terraform-locks" },
      ],
    });
  });

  it("reads every kind of literal, quotes and escapes inside strings included", () => {
    expect(parsePythonLiteral(`{'a': "it's", "b": 'say "hi"\\n', 'c': (1, -2.5, 3e2), 'd': [True, False, None], 'e': {}, 'f': '\\u00e9\\x41'}`)).toEqual({
      a: "it's",
      b: 'say "hi"\n',
      c: [1, -2.5, 300],
      d: [true, false, null],
      e: {},
      f: "éA",
    });
  });

  it.each([
    ["{'a': 1", "expected , or }"],
    ["{'a' 1}", "expected :"],
    ["{1: 'a'}", "a key that is not a string"],
    ["'open", "unterminated string"],
    ["{'a': undefined}", "unexpected text"],
    ["[1] [2]", "text after the value"],
  ])("refuses %j (%s)", (text, problem) => {
    expect(() => parsePythonLiteral(text)).toThrow(problem);
  });
});
