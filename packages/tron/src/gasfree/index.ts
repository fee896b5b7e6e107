// exact_gasfree on TRON: the GasFree API client and the scheme in its roles.
export {};
