declare module "lambda-local";
