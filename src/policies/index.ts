export * from "./document";
export * from "./github-trust";
export * from "./infrastructure";
export * from "./terraform-state";
export * from "./kms";
export * from "./service-access";
export * from "./lambda";
export * from "./s3";
