import { allow, policy, type PolicyDocument, type PolicyStatement } from "./document";

export interface LambdaExecutionInput {
  readonly accountId: string;
  readonly region: string;
  /** Zappa's function name, `{project}-{stage}`; its log group and self-invocation are scoped to it. */
  readonly functionName: string;
  /** Secrets the application reads (this environment's only). */
  readonly secretArns: readonly string[];
  /** Keys of those secrets; used only through Secrets Manager. */
  readonly secretKeyArns: readonly string[];
  /** The static assets bucket. */
  readonly assetsBucketArn: string;
  /** Location Service place index for geocoding. */
  readonly placeIndexArn: string;
  /** SES identity the application sends from, its default configuration set, and the domain its From addresses must be in. */
  readonly email?: { readonly identityArn: string; readonly configurationSetArn: string; readonly domain: string };
}

/** What the Django application running in Lambda may do, and nothing more. */
export function lambdaExecutionPolicy(input: LambdaExecutionInput): PolicyDocument {
  const { accountId: account, region } = input;
  const fn = `arn:aws:lambda:${region}:${account}:function:${input.functionName}`;
  const statements: PolicyStatement[] = [
    allow("WriteLogs", ["logs:CreateLogStream", "logs:PutLogEvents"], `arn:aws:logs:${region}:${account}:log-group:/aws/lambda/${input.functionName}:*`),
    allow("DescribeNetworkInterfaces", ["ec2:DescribeNetworkInterfaces"], "*"),
    allow(
      "ManageNetworkInterfaces",
      ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"],
      `arn:aws:ec2:${region}:${account}:*`,
    ),
    allow("ReadSecrets", ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], [...input.secretArns]),
    allow("DecryptSecrets", ["kms:Decrypt"], [...input.secretKeyArns], {
      StringEquals: { "kms:ViaService": `secretsmanager.${region}.amazonaws.com` },
    }),
    allow("ListAssets", ["s3:ListBucket"], input.assetsBucketArn),
    allow("UseAssets", ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], `${input.assetsBucketArn}/*`),
    allow(
      "SearchPlaces",
      ["geo:SearchPlaceIndexForText", "geo:SearchPlaceIndexForPosition", "geo:SearchPlaceIndexForSuggestions", "geo:GetPlace"],
      input.placeIndexArn,
    ),
    // Zappa's asynchronous tasks invoke the function itself.
    allow("InvokeSelf", ["lambda:InvokeFunction"], [fn, `${fn}:*`]),
  ];
  if (input.email) {
    statements.push(
      allow("SendEmail", ["ses:SendEmail", "ses:SendRawEmail"], [input.email.identityArn, input.email.configurationSetArn], {
        StringLike: { "ses:FromAddress": `*@${input.email.domain}` },
      }),
    );
  }
  return policy(...statements);
}
