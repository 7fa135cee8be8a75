print("psc-admin")
