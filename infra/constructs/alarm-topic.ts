import { createHash } from 'node:crypto';
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { AlarmBase } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { AccountRootPrincipal, PolicyDocument, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Subscription, Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { subscriptionKey, type AlarmSubscription } from './alarm-subscriptions.js';
import { KEY_ADMIN_ACTIONS } from './signing-key-policy.js';

export interface AlarmTopicProps {
  /** From the `alarmSubscriptions` context; none leaves the topic for operators to subscribe to by hand. */
  subscriptions: readonly AlarmSubscription[];
}

/**
 * The SNS topic every alarm notifies, on ALARM and on OK, encrypted with a key of its own.
 *
 * An alarm names the service that failed, which is worth keeping out of plain text at rest; and
 * CloudWatch can publish to an encrypted topic only through a customer managed key whose policy
 * lets cloudwatch.amazonaws.com generate and decrypt data keys (the AWS managed alias/aws/sns key
 * cannot be given that, so alarms to a topic under it are silently dropped).
 */
export class AlarmTopic extends Construct {
  readonly topic: Topic;
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const stack = Stack.of(this);
    // CloudWatch acts for alarms of this account and region only (confused deputy).
    const fromOurAlarms = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
    };

    // As for the signing keys, the account administers the key without using it (no kms:*), so
    // no IAM policy can publish forged alarms; CloudWatch is its one user.
    const key = new Key(this, 'Key', {
      description: 'Encrypts the signed-pay alarm topic',
      enableKeyRotation: true,
      // It protects notifications in flight only, nothing at rest: the stateless stack holds no data.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
      policy: new PolicyDocument({
        statements: [
          // "*" in a key policy means this key.
          new PolicyStatement({ sid: 'AccountAdministersWithoutUsing', principals: [new AccountRootPrincipal()], actions: [...KEY_ADMIN_ACTIONS], resources: ['*'] }),
          new PolicyStatement({
            sid: 'CloudWatchAlarmsPublishToTheTopic',
            principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
            actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            resources: ['*'],
            conditions: fromOurAlarms,
          }),
        ],
      }),
    });

    this.topic = new Topic(this, 'Topic', {
      displayName: 'signed-pay alarms',
      masterKey: key,
      enforceSSL: true,
    });
    // enforceSSL gives the topic a policy of its own, which replaces SNS's default (publishing by
    // the account): CloudWatch must then be allowed by name.
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: fromOurAlarms,
      }),
    );

    for (const subscription of props.subscriptions) {
      // Named by content, not position: removing one entry leaves the others (and their confirmed
      // email subscriptions) untouched.
      new Subscription(this, `Subscription${shortHash(subscriptionKey(subscription))}`, {
        topic: this.topic,
        protocol: subscription.protocol,
        endpoint: subscription.endpoint,
      });
    }
    this.action = new SnsAction(this.topic);
  }

  /** The alarm notifies the topic when it fires and when it recovers. */
  notifyOn(alarm: AlarmBase): void {
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
  }
}

function shortHash(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 8).toUpperCase();
}
