from vinted_optimizer.cli import main

main()
