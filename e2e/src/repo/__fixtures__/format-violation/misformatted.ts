export const   misformatted = {a:1,
  b:2}
