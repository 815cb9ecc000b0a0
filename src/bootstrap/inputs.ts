/**
 * What the bootstrap accepts from a person: the CloudFormation parameters' AllowedPattern and the shell
 * scripts' checks both use these. They are POSIX extended regular expressions (bash `=~` has no `\d`
 * and no lookahead), and a test holds them to the same rules as the configuration schema.
 */
export const INPUT_PATTERNS = {
  accountId: "^[0-9]{12}$",
  /** The configuration's `prefix`: lower-case letters, digits and single inner hyphens; its length (2-20) is checked apart. */
  prefix: "^[a-z][a-z0-9]*(-[a-z0-9]+)*$",
  region: "^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$",
  /** The owner part of `github.repo`. */
  githubOwner: "^[A-Za-z0-9][A-Za-z0-9-]{0,38}$",
  /** The name part of `github.repo`. */
  githubRepoName: "^[A-Za-z0-9._-]{1,100}$",
  /** An entry of the configuration's `administrators` (wildcards are refused before, with their own message). */
  administratorArn: "^arn:aws:iam::[0-9]{12}:(root|role/[A-Za-z0-9_+=,.@/-]{1,512}|user/[A-Za-z0-9_+=,.@/-]{1,512})$",
} as const;

export const PREFIX_LENGTH = { min: 2, max: 20 } as const;


