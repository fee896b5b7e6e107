// exact_permit on TRON: BofAI's PaymentPermit scheme in its three roles.
export {};
